/** Registered-model and model-version searches: every filter key and operator, ordering, paging. */
import { describe } from 'node:test';
import type { Ctx } from './context';

export function registrySearchTests(_ctx: Ctx): void {
  describe('registry search', () => {});
}
