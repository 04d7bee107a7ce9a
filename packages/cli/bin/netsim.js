#!/usr/bin/env node
// The command inside the repository (tests run it); the installed package's is packages/netsim/bin.
import { main } from '../dist/main.js';

await main();
