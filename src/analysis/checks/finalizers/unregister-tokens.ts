import type { Registrations } from './registrations.js';

/** `unregister(x)` where `x` is no registration's token: it unregisters nothing. */
export class UnregisterTokens {
  constructor(private readonly registrations: Registrations) {}

  checkUnregisters(): void {
    for (const unregistration of this.registrations.unregistrations) {
      if (!unregistration.argument || !this.registrations.isOwnRegistry(unregistration.registryNode)) continue;
      const registrations = this.registrations.registrations.filter((registration) => registration.registryKey === unregistration.registryKey);
      if (registrations.length === 0) continue;
      const withToken = registrations.filter((registration) => registration.token);
      const base = {
        node: unregistration.call,
        registry: unregistration.registryNode,
        subject: unregistration.argument,
      };
      if (withToken.length === 0) {
        this.registrations.findings.push({ ...base, kind: 'unregister-unknown-token', register: registrations[0].call, related: registrations[0].call, tokenless: true });
        continue;
      }
      const argument = unregistration.argument;
      if (!withToken.every((registration) => this.registrations.isProvablyOtherToken(argument, registration))) continue;
      this.registrations.findings.push({ ...base, kind: 'unregister-unknown-token', register: withToken[0].call, related: withToken[0].call, token: withToken[0].token });
    }
  }
}
