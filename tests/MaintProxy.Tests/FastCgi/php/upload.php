<?php
// Reads the whole body and answers with its length and SHA-256.
$hash = hash_init('sha256');
$length = 0;
$in = fopen('php://input', 'rb');
while (!feof($in)) {
    $chunk = fread($in, 65536);
    if ($chunk === false) {
        break;
    }
    $length += strlen($chunk);
    hash_update($hash, $chunk);
}
header('Content-Type: text/plain');
echo $length, ' ', hash_final($hash);
