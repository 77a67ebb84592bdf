/**
 * What a migration does, one statement at a time, each skipped when its effect is already there.
 *
 * MySQL commits every DDL statement on its own, so a crash leaves a migration part done; the next
 * start runs it again from the top and passes over what exists. (SQLite and PostgreSQL run the
 * whole setup in one transaction, where the checks simply find nothing yet.) Every step is one
 * statement or a statement that is safe to repeat, never a knex helper that hides several.
 */
import type { Knex } from 'knex';
import type { SqlDialect } from '../dialect';
import { indexNames } from './catalog';

type Sql = { sql: string; bindings: readonly unknown[] };

export class SchemaSteps {
  constructor(
    private readonly k: Knex,
    readonly dialect: SqlDialect,
    /** Called after each statement has run (tests stop the setup here to stand for a crash). */
    private readonly afterStatement: (sql: string) => void = () => {},
  ) {}

  /** CREATE TABLE, when the table is missing. Indexes go through index(), each checked apart. */
  async createTable(name: string, build: (t: Knex.CreateTableBuilder) => void): Promise<void> {
    if (await this.k.schema.hasTable(name)) return;
    const statements = this.k.schema.createTable(name, build).toSQL() as Sql[];
    if (statements.length !== 1) throw new Error(`createTable(${name}) compiles to ${statements.length} statements; declare its indexes with index()`);
    await this.run(statements[0]);
  }

  /** CREATE TABLE from literal SQL (a dialect's own form), when the table is missing. */
  async createTableSql(name: string, sql: string): Promise<void> {
    if (await this.k.schema.hasTable(name)) return;
    await this.run({ sql, bindings: [] });
  }

  /** A named index (a unique constraint on PostgreSQL, as knex makes it), when it is missing. */
  async index(table: string, name: string, columns: string[], kind: 'unique' | 'plain' = 'plain'): Promise<void> {
    if ((await indexNames(this.k, this.dialect, table)).includes(name)) return;
    const statements = this.k.schema.alterTable(table, (t) => {
      if (kind === 'unique') t.unique(columns, { indexName: name });
      else t.index(columns, name);
    }).toSQL() as Sql[];
    for (const s of statements) await this.run(s);
  }

  /** Changes one column, unless `done` finds it changed already. */
  async alterColumn(table: string, column: string, done: (c: Knex.ColumnInfo) => boolean, build: (t: Knex.AlterTableBuilder) => void): Promise<void> {
    const info = (await this.k(table).columnInfo()) as unknown as Record<string, Knex.ColumnInfo>;
    if (info[column] && done(info[column])) return;
    for (const s of this.k.schema.alterTable(table, build).toSQL() as Sql[]) await this.run(s);
  }

  /**
   * Gives the table the dialect's text collation (and its text columns), unless they have it:
   * one ALTER, which MySQL runs whole or not at all. Nothing where the dialect has no collations.
   */
  async useTextCollation(table: string): Promise<void> {
    const collation = this.dialect.textCollation;
    if (!collation || !(await this.k.schema.hasTable(table))) return;
    if (this.dialect.rows(await this.k.raw(collation.mismatchedSql, [table, table])).length === 0) return;
    await this.run({ sql: collation.convertSql(table), bindings: [] });
  }

  /** One statement run as is: only inside a transaction that holds the whole setup (SQLite's, PostgreSQL's). */
  async exec(sql: string): Promise<void> {
    if (!this.dialect.transactionalDdl) throw new Error(`SchemaSteps.exec: unchecked statements cannot be repeated safely on ${this.dialect.name}`);
    await this.run({ sql, bindings: [] });
  }

  /** Inserts `row` unless a row with the same `key` columns exists. */
  async insertMissing(table: string, row: Record<string, unknown>, key: string[]): Promise<void> {
    const where = Object.fromEntries(key.map((c) => [c, row[c]]));
    if (await this.k(table).where(where).first()) return;
    await this.run(this.k(table).insert(row).toSQL() as unknown as Sql);
  }

  private async run(s: Sql): Promise<void> {
    await this.k.raw(s.sql, s.bindings as any[]);
    this.afterStatement(s.sql);
  }
}
