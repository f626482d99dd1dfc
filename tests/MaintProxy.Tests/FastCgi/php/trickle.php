<?php
// Appends a line to ?file= (so the test knows the worker is taken), then writes a byte every 100 ms,
// keeping its answer active, until the file ?release= exists (at most 30 s).
header('Content-Type: text/plain');
file_put_contents($_GET['file'], getmypid() . "\n", FILE_APPEND | LOCK_EX);
for ($i = 0; $i < 300 && !file_exists($_GET['release']); $i++) {
    echo '.';
    flush();
    usleep(100000);
}
echo 'released';
