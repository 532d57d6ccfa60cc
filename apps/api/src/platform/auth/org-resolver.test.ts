import { describe, expect, it } from '@jest/globals';
import { ProblemException } from '../errors/problem.js';
import { chooseOrg, type Membership, MembershipCache } from './org-resolver.js';

const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';
const slug = (r: unknown) => (r instanceof ProblemException ? `${r.problemStatus} ${r.slug}` : r);

describe('chooseOrg', () => {
  it('takes the only org when none is requested, if the user may read it', () => {
    expect(chooseOrg([{ orgId: A, role: 'owner' }], undefined)).toEqual({ orgId: A, role: 'owner' });
    expect(slug(chooseOrg([{ orgId: A, role: 'member' }], undefined))).toBe('404 org-not-found');
    expect(slug(chooseOrg([], undefined))).toBe('404 org-not-found');
  });

  it('asks to choose when the user has several orgs', () => {
    expect(
      slug(
        chooseOrg(
          [
            { orgId: A, role: 'owner' },
            { orgId: B, role: 'member' },
          ],
          undefined,
        ),
      ),
    ).toBe('400 org-required');
  });

  it('answers a requested org the same way whether it is unknown, foreign or member-only', () => {
    const memberships: Membership[] = [
      { orgId: A, role: 'admin' },
      { orgId: B, role: 'member' },
    ];
    expect(chooseOrg(memberships, A)).toEqual({ orgId: A, role: 'admin' });
    const answers = [chooseOrg(memberships, B), chooseOrg(memberships, '00000000-0000-4000-8000-0000000000ff')];
    expect(answers.map(slug)).toEqual(['404 org-not-found', '404 org-not-found']);
    expect((answers[0] as ProblemException).detail).toBe((answers[1] as ProblemException).detail);
  });
});

describe('MembershipCache', () => {
  const context = { orgId: A, role: 'owner' } as const;

  it('keeps an admission until its lifetime ends, then forgets it', () => {
    let now = 0;
    const cache = new MembershipCache(1000, () => now);
    cache.set('u a', context);
    now = 999;
    expect(cache.get('u a')).toEqual(context);
    now = 1000;
    expect(cache.get('u a')).toBeUndefined();
    now = 0;
    expect(cache.get('u a')).toBeUndefined(); // gone, not merely hidden
  });

  it('keeps nothing with a lifetime of 0', () => {
    const cache = new MembershipCache(0, () => 0);
    cache.set('u a', context);
    expect(cache.get('u a')).toBeUndefined();
  });
});
