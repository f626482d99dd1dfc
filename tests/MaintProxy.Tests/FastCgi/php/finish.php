<?php
// Answers at once, then runs on for s seconds: fastcgi_finish_request() ends the request, not the script.
echo 'finished';
fastcgi_finish_request();
sleep((int)($_GET['s'] ?? 2));
