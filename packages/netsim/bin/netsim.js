#!/usr/bin/env node
// The `netsim` command of the installed package: with no scenario files named and no ./scenarios
// folder, commands that take a default use the incident scenarios shipped beside this file.
import { fileURLToPath } from 'node:url';
import { main } from '@netsim/cli/main';

await main({ scenarios: fileURLToPath(new URL('../scenarios/', import.meta.url)) });
