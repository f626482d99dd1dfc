<?php
// Appends a line to the file named by ?file= (the test counts the lines: how often the script ran), then sleeps s seconds.
file_put_contents($_GET['file'], getmypid() . "\n", FILE_APPEND | LOCK_EX);
sleep((int)($_GET['s'] ?? 0));
echo 'appended';
