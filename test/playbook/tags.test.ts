import t from 'tap';
import { isTaskSelected } from '../../src/playbook/tags.js';

const run = (tags: string[], sel: { tags?: string[]; skipTags?: string[] }) => isTaskSelected(tags, sel);

t.test('no selection runs everything but never', async (t) => {
  t.equal(run([], {}), true);
  t.equal(run(['web'], {}), true);
  t.equal(run(['always'], {}), true);
  t.equal(run(['never'], {}), false);
  t.equal(run(['never', 'debug'], {}), false);
});

t.test('--tags', async (t) => {
  t.equal(run(['web'], { tags: ['web'] }), true);
  t.equal(run(['db'], { tags: ['web'] }), false);
  t.equal(run([], { tags: ['web'] }), false);
  t.equal(run(['always'], { tags: ['web'] }), true, 'always runs whatever is selected');
  t.equal(run(['never', 'debug'], { tags: ['debug'] }), true, 'never runs when another of its tags is asked for');
  t.equal(run(['never'], { tags: ['never'] }), true);
  t.equal(run(['never', 'debug'], { tags: ['all'] }), false, 'all excludes never');
  t.equal(run(['web'], { tags: ['all'] }), true);
});

t.test('tagged and untagged', async (t) => {
  t.equal(run(['web'], { tags: ['tagged'] }), true);
  t.equal(run([], { tags: ['tagged'] }), false);
  t.equal(run([], { tags: ['untagged'] }), true);
  t.equal(run(['web'], { tags: ['untagged'] }), false);
  t.equal(run([], { skipTags: ['untagged'] }), false);
  t.equal(run(['web'], { skipTags: ['tagged'] }), false);
});

t.test('--skip-tags wins over --tags; always is skipped only explicitly', async (t) => {
  t.equal(run(['web', 'slow'], { tags: ['web'], skipTags: ['slow'] }), false);
  t.equal(run(['web'], { skipTags: ['db'] }), true);
  t.equal(run(['always'], { skipTags: ['web'] }), true);
  t.equal(run(['always'], { skipTags: ['always'] }), false);
  t.equal(run(['always', 'web'], { skipTags: ['web'] }), false, 'like Ansible: any of its tags skipped');
  t.equal(run(['always'], { skipTags: ['all'] }), true, 'skip all keeps always');
  t.equal(run(['web'], { skipTags: ['all'] }), false);
});
