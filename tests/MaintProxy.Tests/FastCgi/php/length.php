<?php
// Announces ?declared= bytes in Content-Length and writes ?actual= bytes.
header('Content-Length: ' . (int)$_GET['declared']);
echo str_repeat('x', (int)$_GET['actual']);
