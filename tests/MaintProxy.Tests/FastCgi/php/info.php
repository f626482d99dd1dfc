<?php
// Echoes what the transport told PHP about the request, as JSON.
$keys = ['GATEWAY_INTERFACE', 'SERVER_SOFTWARE', 'QUERY_STRING', 'REQUEST_METHOD', 'CONTENT_TYPE', 'CONTENT_LENGTH',
    'SCRIPT_NAME', 'SCRIPT_FILENAME', 'PATH_INFO', 'PATH_TRANSLATED', 'REQUEST_URI', 'DOCUMENT_URI', 'DOCUMENT_ROOT',
    'SERVER_PROTOCOL', 'REQUEST_SCHEME', 'HTTPS', 'REMOTE_ADDR', 'REMOTE_PORT', 'SERVER_ADDR', 'SERVER_PORT',
    'SERVER_NAME', 'REDIRECT_STATUS', 'HTTP_HOST', 'HTTP_PROXY', 'HTTP_X_CUSTOM', 'HTTP_X_UNDER_SCORE', 'APP_ENV'];
$server = [];
foreach ($keys as $key) {
    $server[$key] = $_SERVER[$key] ?? null;
}
setcookie('from_php', 'yes-' . ($_COOKIE['sent'] ?? 'none'));
setcookie('second', 'two');
header('Content-Type: application/json');
echo json_encode(['server' => $server, 'get' => $_GET, 'post' => $_POST, 'cookie' => $_COOKIE]);
