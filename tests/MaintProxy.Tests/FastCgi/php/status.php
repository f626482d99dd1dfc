<?php
// Sets the status or a redirect the way applications do.
if (isset($_GET['location'])) {
    header('Location: ' . $_GET['location']);
    echo 'moved';
    return;
}
http_response_code((int)($_GET['code'] ?? 200));
header('X-Reason: set-by-php');
echo 'status ', http_response_code();
