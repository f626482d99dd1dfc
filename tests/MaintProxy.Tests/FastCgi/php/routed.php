<?php
// Reads the request's URI as Zend Framework 1 and Symfony before 2.7.49 did behind IIS: the header first.
echo $_SERVER['HTTP_X_ORIGINAL_URL'] ?? $_SERVER['HTTP_X_REWRITE_URL'] ?? $_SERVER['REQUEST_URI'];
