/** The accounts part of a write transaction: users, API keys, settings (reads are in ../accounts.ts). */
import type { AccountWrites, NewKey } from '../../core/store';
import { insertRows } from '../insert';
import type { SqlExec } from '../sql-exec';

export class SqlAccountWrites implements AccountWrites {
  constructor(private readonly sql: SqlExec) {}

  async ensureUser(userName: string, entity: string, time: number): Promise<string> {
    await insertRows(this.sql, 'users', ['name', 'entity', 'created_time'], [[userName, entity, time]], { ignore: ['name'] });
    const [row] = await this.sql.all(`SELECT "entity" FROM "users" WHERE "name" = ?${this.sql.dialect.forUpdate}`, [userName]);
    return String(row.entity);
  }

  async insertKey(k: NewKey): Promise<void> {
    await insertRows(this.sql, 'api_keys', ['key_id', 'user_name', 'key_hash', 'hint', 'created_time', 'revoked_time'],
      [[k.keyId, k.userName, k.keyHash, k.hint, k.time, null]]);
  }

  async revokeKey(keyId: string, time: number): Promise<boolean> {
    const changed = await this.sql.run(`UPDATE "api_keys" SET "revoked_time" = ? WHERE "key_id" = ? AND "revoked_time" IS NULL`, [time, keyId]);
    if (changed.changes > 0) return true;
    return (await this.sql.all(`SELECT 1 AS found FROM "api_keys" WHERE "key_id" = ?`, [keyId])).length > 0;
  }

  async settingOnce(name: string, value: string): Promise<string> {
    await insertRows(this.sql, 'settings', ['name', 'value'], [[name, value]], { ignore: ['name'] });
    // A locking read: it sees the row a concurrent first writer committed while this insert
    // waited on it, where MySQL's plain reads would still show this transaction's snapshot.
    const [row] = await this.sql.all(`SELECT "value" FROM "settings" WHERE "name" = ?${this.sql.dialect.forUpdate}`, [name]);
    return String(row.value);
  }
}
