#!/usr/bin/env node
import process from 'node:process';
import { run } from '../dist/cli/main.js';

process.exitCode = await run(process.argv.slice(2), { cwd: process.cwd(), stdout: process.stdout, stderr: process.stderr });
