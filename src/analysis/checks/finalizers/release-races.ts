import type { TSESTree } from '@typescript-eslint/utils';
import type { Registrations } from './registrations.js';
import type { UnregisterPaths } from './unregister-paths.js';
import type { TokenFixes } from './token-fixes.js';
import type { Registration, ReleaseEvent } from './finalizer-model.js';

/** A finalizer that may run after an explicit release: `register` without a token, a release with no `unregister` before it. */
export class ReleaseRaces {
  constructor(private readonly registrations: Registrations, private readonly unregisterPaths: UnregisterPaths, private readonly fixes: TokenFixes) {}

  checkReleases(events: readonly ReleaseEvent[]): void {
    const byEvent = new Map<TSESTree.Node, { event: ReleaseEvent; registrations: Registration[] }>();
    for (const registration of this.registrations.registrations) {
      const matching = events.filter((event) => this.unregisterPaths.eventMatches(event, registration));
      if (matching.length === 0) continue;
      if (!registration.token) {
        const first = matching[0];
        this.registrations.findings.push({
          kind: 'register-without-token',
          node: registration.call,
          registry: registration.registryNode,
          register: registration.call,
          related: first.node,
          subject: registration.held,
          takeOut: first.takeOut,
          edits: this.fixes.tokenEdits(registration, matching),
        });
        continue;
      }
      for (const event of matching) {
        const entry = byEvent.get(event.node) ?? { event, registrations: [] };
        entry.registrations.push(registration);
        byEvent.set(event.node, entry);
      }
    }
    for (const { event, registrations } of byEvent.values()) {
      const unguarded = registrations.filter((registration) => !this.unregisterPaths.isGuarded(event.node, registration, 0));
      if (unguarded.length === 0) continue;
      // Name (and suggest) the registration whose token can be written where the release is.
      const options = unguarded.map((registration) => ({ registration, token: this.fixes.tokenTextAt(registration, event) }));
      const chosen = options.find((option) => option.token !== undefined) ?? options[0];
      this.registrations.findings.push({
        kind: 'release-without-unregister',
        node: event.node,
        registry: chosen.registration.registryNode,
        register: chosen.registration.call,
        related: chosen.registration.call,
        subject: event.released,
        takeOut: event.takeOut,
        token: chosen.registration.token,
        tokenText: chosen.token,
        edits: chosen.token !== undefined ? this.fixes.unregisterEdits(chosen.registration, event, chosen.token) : undefined,
      });
    }
  }
}
