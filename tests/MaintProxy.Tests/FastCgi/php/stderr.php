<?php
// Writes one line to the FastCGI STDERR stream, the way PHP errors reach the web server.
error_log('stderr-marker ' . ($_GET['id'] ?? ''));
echo 'logged';
