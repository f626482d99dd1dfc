<?php
echo 'hello from ', getmypid(), "\n";
