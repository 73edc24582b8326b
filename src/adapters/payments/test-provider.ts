// The built-in test payment provider. Stateless on purpose: an authorisation id carries what
// capture needs, so captures keep working after a restart (the crash tests rely on it).
//   tok_visa     approved
//   tok_decline  declined
//   tok_slow     approved after 2 s (for timeout behaviour)

import type { AuthorizationResult, PaymentProvider } from '../../core/ports.ts';

export const slowTokenDelayMs = 2_000;

export function createTestPaymentProvider(options: { sleep?: (ms: number) => Promise<void> } = {}): PaymentProvider {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let sequence = 0;
  return {
    name: 'test',
    async authorize({ amountMinor, currency, token, reference }): Promise<AuthorizationResult> {
      if (token === 'tok_decline') return { ok: false, reason: 'declined', message: 'The card was declined.' };
      if (token === 'tok_slow') await sleep(slowTokenDelayMs);
      else if (token !== 'tok_visa') return { ok: false, reason: 'declined', message: 'Unknown test card token; use tok_visa, tok_decline or tok_slow.' };
      sequence++;
      return { ok: true, authorizationId: `auth_test_${reference}_${sequence}_${amountMinor}${currency}` };
    },
    async capture(authorizationId) {
      return { ok: authorizationId.startsWith('auth_test_') };
    },
    async void() {},
    async refund(authorizationId) {
      return { ok: authorizationId.startsWith('auth_test_') };
    },
  };
}
