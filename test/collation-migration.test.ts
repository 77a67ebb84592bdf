/**
 * Migration 0009 on a database made before it: MySQL's tables were utf8mb4_bin (PAD SPACE) and
 * are converted, table by table, to the server's NO PAD binary collation, keeping their rows and
 * unique indexes and surviving a stop after any of its statements; elsewhere it runs nothing.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { SqlStore } from '../src/store/sql-store';
import { createDatabase, FAST, openTracking, selectedDialects } from './support/databases';
import { schemaShape } from './support/schema-shape';

const MIGRATION = '0009_mysql_no_pad_collation';

/** Makes an opened store's database look as main's schema left it: the migration not applied, MySQL's tables padded. */
async function asBeforeTheMigration(store: SqlStore): Promise<string[]> {
  const k = store.db;
  await k('trackbridge_migrations').where({ name: MIGRATION }).delete();
  if (store.dialect.textCollation === undefined) return [];
  const [rows] = await k.raw(`SELECT table_name AS t FROM information_schema.tables WHERE table_schema = DATABASE() AND table_collation = ?`, [store.dialect.textCollation.name]);
  const tables = rows.map((r: any) => String(r.t));
  for (const t of tables) await k.raw(`ALTER TABLE \`${t}\` CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
  return tables;
}

for (const dialect of selectedDialects()) {
  describe(`migration ${MIGRATION}: ${dialect}`, () => {
    it('converts a database made before it, keeping its rows and indexes, and then keeps names differing by trailing spaces apart', async () => {
      const db = await createDatabase(dialect);
      try {
        const first = await openTracking(db.url, FAST);
        const fresh = await schemaShape(first.store.db, dialect);
        const exp = await first.tracking.experiments.create('tsp', undefined, [{ key: 'k', value: 'v' }]);
        const padded = await asBeforeTheMigration(first.store);
        if (padded.length) {
          // The defect the migration fixes: the old collation takes 'tsp ' for 'tsp'.
          const [same] = await first.store.db.raw("SELECT COUNT(*) AS n FROM experiments WHERE name = 'tsp   '");
          assert.equal(Number(same[0].n), 1);
        }
        await first.store.close();

        let statements = 0;
        const second = await openTracking(db.url, { ...FAST, onSchemaStatement: () => { statements++; } });
        try {
          // One ALTER per converted table and the migration's row; no ALTER where there are no collations to pick.
          assert.equal(statements, padded.length + 1);
          assert.deepEqual(await schemaShape(second.store.db, dialect), fresh, 'the schema a fresh start makes');
          assert.equal((await second.tracking.experiments.getByName('tsp')).experimentId, exp);
          const spaced = await second.tracking.experiments.create('tsp ', undefined, [{ key: 'k ', value: 'w' }]);
          assert.notEqual(spaced, exp);
          await second.tracking.experiments.setTag(exp, { key: 'k ', value: 'x' });
          assert.deepEqual(Object.fromEntries((await second.tracking.experiments.get(exp)).tags.map((t) => [t.key, t.value])), { k: 'v', 'k ': 'x' });
          // Still case-sensitive, for = and LIKE alike.
          await assert.rejects(second.tracking.experiments.getByName('TSP'));
          const like = await second.tracking.experiments.search({ filter: "name LIKE 'TSP%'", maxResults: 10, viewType: 'ALL' });
          assert.deepEqual(like.items, []);
          const spacedLike = await second.tracking.experiments.search({ filter: "name LIKE 'tsp _'", maxResults: 10, viewType: 'ALL' });
          assert.deepEqual(spacedLike.items, [], "LIKE counts the trailing space as a character");
          const prefix = await second.tracking.experiments.search({ filter: "name LIKE 'tsp%'", maxResults: 10, viewType: 'ALL' });
          assert.deepEqual(prefix.items.map((e) => e.name).sort(), ['tsp', 'tsp ']);
          const ilike = await second.tracking.experiments.search({ filter: "name ILIKE 'TSP %'", maxResults: 10, viewType: 'ALL' });
          assert.deepEqual(ilike.items.map((e) => e.name), ['tsp ']);
        } finally {
          await second.store.close();
        }
      } finally {
        await db.drop();
      }
    });

    it('a conversion stopped after any of its statements is completed by the next start', async () => {
      const db = await createDatabase(dialect);
      try {
        const first = await openTracking(db.url, FAST);
        const fresh = await schemaShape(first.store.db, dialect);
        const padded = await asBeforeTheMigration(first.store);
        await first.store.close();
        // Each start is stopped after its first statement, until one has nothing left to do. (Where
        // the setup is one transaction, the stop rolls it back and the next start does it all.)
        let stops = 0;
        let store: SqlStore | undefined;
        while (!store) {
          if (padded.length === 0 && stops === 1) {
            store = await SqlStore.open(db.url, FAST);
            break;
          }
          try {
            store = await SqlStore.open(db.url, { ...FAST, onSchemaStatement: () => { throw new Error('stopped here'); } });
          } catch (e) {
            assert.match(String(e), /stopped here/);
            assert.ok(++stops <= padded.length + 1, 'every start makes progress');
          }
        }
        assert.equal(stops, padded.length === 0 ? 1 : padded.length + 1);
        try {
          assert.deepEqual(await schemaShape(store.db, dialect), fresh);
          assert.ok(await store.db('trackbridge_migrations').where({ name: MIGRATION }).first());
        } finally {
          await store.close();
        }
      } finally {
        await db.drop();
      }
    });
  });
}
