#!/usr/bin/env node
import '../dist/ctl/main.js';
