<?php
// Answers only after s seconds.
sleep((int)($_GET['s'] ?? 1));
echo 'slept';
