import type { Store } from '../store.js';
import * as audio from './audio.js';
import { openConnection, translateError } from './connection.js';
import { migrate } from './migrations.js';
import { registerSearchFunctions, searchAudioFiles } from './search.js';
import * as throttle from './throttle.js';
import * as users from './users.js';
import * as yoto from './yoto.js';

export { MIGRATIONS, migrate } from './migrations.js';

/**
 * Opens the SQLite store at `path` (creating the file and its directory if missing), brings the
 * schema up to date and returns the Store. A file that is not a SQLite database, or a location
 * that cannot be written, throws a StoreMisconfiguredError (not retried) naming the file and the fix.
 */
export function openSqliteStore(path: string): Store {
  const conn = openConnection(path);
  try {
    migrate(conn.db);
    registerSearchFunctions(conn.db);
  } catch (error) {
    conn.close();
    throw translateError(error, conn.path);
  }
  return {
    listUsers: () => users.listUsers(conn),
    userCount: () => users.userCount(conn),
    getUser: (username) => users.getUser(conn, username),
    getUserById: (userId) => users.getUserById(conn, userId),
    createUser: (input) => users.createUser(conn, input),
    updateUser: (userId, changes) => users.updateUser(conn, userId, changes),
    deleteUser: (userId) => users.deleteUser(conn, userId),
    revokeSessions: (username) => users.revokeSessions(conn, username),
    ensureAdminUser: (input) => users.ensureAdminUser(conn, input),
    adminBootstrapped: () => users.adminBootstrapped(conn),
    saveYotoTokens: (username, input) => yoto.saveYotoTokens(conn, username, input),
    loadYotoTokens: (username) => yoto.loadYotoTokens(conn, username),
    acquireYotoTokenLock: (username, owner, options) => yoto.acquireYotoTokenLock(conn, username, owner, options),
    releaseYotoTokenLock: (username, owner) => yoto.releaseYotoTokenLock(conn, username, owner),
    listAudioFiles: (options) => audio.listAudioFiles(conn, options),
    searchAudioFiles: (query, options) => searchAudioFiles(conn, query, options),
    getAudioFile: (filename) => audio.getAudioFile(conn, filename),
    upsertAudioFile: (input) => audio.upsertAudioFile(conn, input),
    updateTranscript: (input) => audio.updateTranscript(conn, input),
    setTranscriptStatus: (input) => audio.setTranscriptStatus(conn, input),
    deleteAudioFile: (filename) => audio.deleteAudioFile(conn, filename),
    loginFailures: (keys, now) => throttle.getLoginFailures(conn, keys, now),
    recordLoginFailure: (counters, now) => throttle.recordLoginFailure(conn, counters, now),
    clearLoginFailures: (input, now) => throttle.clearLoginFailures(conn, input, now),
    close: async () => conn.close(),
  };
}
