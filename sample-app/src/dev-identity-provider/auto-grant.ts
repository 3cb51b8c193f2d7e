import type { Grant, KoaContextWithOIDC } from 'oidc-provider';

/**
 * oidc-provider's `loadExistingGrant`: grants everything the client asks for, so the consent prompt
 * never appears (a development provider has nobody to ask). An existing grant of the session is
 * extended rather than replaced, so later requests for more scopes are granted as well.
 */
export async function loadAutoGrant(ctx: KoaContextWithOIDC): Promise<Grant | undefined> {
  const { oidc } = ctx;
  const client = oidc.client;
  const accountId = oidc.account?.accountId ?? oidc.session?.accountId;
  if (!client || !accountId) return undefined;

  const grantId = oidc.result?.consent?.grantId ?? oidc.session?.grantIdFor(client.clientId);
  let grant = grantId ? await oidc.provider.Grant.find(grantId) : undefined;
  // A grant of another account or client would make oidc-provider throw: start afresh instead.
  if (!grant || grant.accountId !== accountId || grant.clientId !== client.clientId) {
    grant = new oidc.provider.Grant({ accountId, clientId: client.clientId });
  }

  const requestedScopes = [...oidc.requestParamScopes];
  grant.addOIDCScope([...oidc.requestParamOIDCScopes]);
  const claims = [...oidc.requestParamClaims];
  if (claims.length > 0) grant.addOIDCClaims(claims);
  for (const resourceServer of Object.values(oidc.resourceServers ?? {})) {
    const scopes = requestedScopes.filter((scope) => resourceServer.scopes.has(scope));
    if (scopes.length > 0) grant.addResourceScope(resourceServer.identifier(), scopes);
  }
  await grant.save();
  return grant;
}
