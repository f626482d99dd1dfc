<?php
// Appends a line to ?file= (so the test knows the worker is taken), then holds the worker until the file ?release= exists (at most 30 s).
file_put_contents($_GET['file'], getmypid() . "\n", FILE_APPEND | LOCK_EX);
for ($i = 0; $i < 300 && !file_exists($_GET['release']); $i++) {
    usleep(100000);
}
echo 'released';
