<?php
// Streams mb MiB of a repeated 16-byte pattern, flushing as it goes.
$mb = (int)($_GET['mb'] ?? 1);
$block = str_repeat('0123456789abcdef', 65536);
header('Content-Type: application/octet-stream');
header('Content-Length: ' . ($mb * strlen($block)));
for ($i = 0; $i < $mb; $i++) {
    echo $block;
    flush();
}
