import type { Provider } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { PostgresSessionStore } from './postgres-session.store.js';
import { SessionStore } from './session-store.interface.js';

/** The session store the options choose. */
export const sessionStoreProvider: Provider = {
  provide: SessionStore,
  inject: [getDataSourceToken()],
  useFactory: (dataSource: DataSource): SessionStore => new PostgresSessionStore(dataSource),
};
