import 'reflect-metadata';
import { AuthConfigError } from '@nestflux/auth';
import { startSampleApp, type RunningSampleApp } from './bootstrap.js';
import { SampleConfigError } from './config/sample-config-error.js';

/** `npm start`: the sample app on the contract's environment (embedded defaults when unset). */
let running: RunningSampleApp;
try {
  running = await startSampleApp(process.env);
} catch (error) {
  // A configuration mistake: its message names the variable and the fix; a stack adds nothing.
  if (!(error instanceof SampleConfigError || error instanceof AuthConfigError)) throw error;
  console.error(`sample app: cannot start: ${error.message}`);
  process.exit(1);
}
console.log(`NestFlux Auth sample listening on ${running.config.baseUrl}`);
if (running.config.embeddedProvider) {
  console.log(`development identity provider (development only) issuer: ${running.config.issuerUrl}`);
}
