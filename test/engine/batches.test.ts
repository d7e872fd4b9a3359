import t from 'tap';
import { batchSizes, splitBatches } from '../../src/engine/batches.js';

const hosts = ['h1', 'h2', 'h3', 'h4', 'h5'];

t.test('no serial: one batch of every host', async (t) => {
  t.same(splitBatches(hosts, undefined), [hosts]);
});

t.test('a number: batches of that size, the last one shorter', async (t) => {
  t.same(splitBatches(hosts, [2]), [['h1', 'h2'], ['h3', 'h4'], ['h5']]);
});

t.test('a percentage of the play hosts, rounded down, at least one', async (t) => {
  t.same(batchSizes(['40%'], 5), [2]);
  t.same(batchSizes(['10%'], 5), [1]);
  t.same(splitBatches(hosts, ['50%']), [['h1', 'h2'], ['h3', 'h4'], ['h5']]);
});

t.test('a list: sizes in order, the last one repeats', async (t) => {
  t.same(splitBatches(hosts, [1, '40%']), [['h1'], ['h2', 'h3'], ['h4', 'h5']]);
  t.same(splitBatches(hosts, [1, 3, 10]), [['h1'], ['h2', 'h3', 'h4'], ['h5']]);
});

t.test('no hosts: no batch', async (t) => {
  t.same(splitBatches([], [2]), []);
});
