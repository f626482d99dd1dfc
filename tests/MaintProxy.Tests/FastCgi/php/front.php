<?php
// A front controller as frameworks have one: answers the paths it routes, 404 for any other.
$path = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);
if ($path !== '/' && !str_starts_with($path, '/blog/')) {
    http_response_code(404);
    echo 'front: no route for ', $path;
    return;
}
header('Content-Type: application/json');
echo json_encode(['script' => $_SERVER['SCRIPT_NAME'], 'uri' => $_SERVER['REQUEST_URI']]);
