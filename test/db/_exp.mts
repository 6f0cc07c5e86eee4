import { PGlite, types } from '@electric-sql/pglite';
let t = performance.now();
const a = await PGlite.create({ parsers: { [types.INT8]: (v: string) => Number(v) } });
console.log('fresh', performance.now() - t);
await a.exec('create table x (id bigint); insert into x values (5)');
console.log(await a.query('select id, pg_advisory_lock(42) from x'));
t = performance.now();
const dump = await a.dumpDataDir('none');
console.log('dump', performance.now() - t, dump.size);
for (let i = 0; i < 3; i++) {
  t = performance.now();
  const b = await PGlite.create({ loadDataDir: dump, parsers: { [types.INT8]: (v: string) => Number(v) } });
  console.log('load', performance.now() - t);
  console.log((await b.query('select * from x')).rows);
  await b.close();
}
t = performance.now();
const c = await a.clone();
console.log('clone', performance.now() - t, (await c.query('select * from x')).rows);
console.log(process.memoryUsage().rss / 1e6);
