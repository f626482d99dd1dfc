<?php
// Non-ASCII header bytes, both ways: a UTF-8 file name and a Latin-1 value out, the client's X-Req back in hex.
header("Content-Disposition: attachment; filename=\"r\xc3\xa9sum\xc3\xa9.pdf\"");
header("X-Latin: caf\xe9");
echo bin2hex($_SERVER['HTTP_X_REQ'] ?? '');
