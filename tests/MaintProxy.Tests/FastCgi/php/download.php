<?php
// Streams mb MiB of a repeated 16-byte pattern, flushing as it goes; with ?unbuffered, asks the proxy
// to pass it at the client's pace (X-Accel-Buffering: no, nginx's convention).
$mb = (int)($_GET['mb'] ?? 1);
$block = str_repeat('0123456789abcdef', 65536);
header('Content-Type: application/octet-stream');
header('Content-Length: ' . ($mb * strlen($block)));
if (isset($_GET['unbuffered'])) {
    header('X-Accel-Buffering: no');
}
for ($i = 0; $i < $mb; $i++) {
    echo $block;
    flush();
}
