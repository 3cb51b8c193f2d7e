import 'reflect-metadata';
import { startSampleApp } from './bootstrap.js';

/** `npm start`: the sample app on the contract's environment (embedded defaults when unset). */
const running = await startSampleApp(process.env);
console.log(`NestFlux Auth sample listening on ${running.config.baseUrl}`);
if (running.config.embeddedProvider) {
  console.log(`development identity provider (development only) issuer: ${running.config.issuerUrl}`);
}
