<?php
// Answers ?code= (204 or 304) and still writes output, as a script echoing after its answer does.
http_response_code((int)($_GET['code'] ?? 204));
echo str_repeat('output the client must not get ', (int)($_GET['repeat'] ?? 1));
