import { Inject, Injectable } from '@nestjs/common';
import { DEVICE_FLOW_SETTINGS } from '../auth.tokens.js';
import { FeatureUnavailableError } from '../errors/auth-error.js';
import type { DeviceFlowSettings } from '../options/resolved-auth-options.js';
import { OidcProviderClient } from '../provider/oidc-provider-client.service.js';

/** What `GET <prefix>/device/config` answers: everything a CLI needs for RFC 8628, nothing secret. */
export interface DeviceFlowConfig {
  issuer: string;
  /** The public client of the device grant (no secret). */
  clientId: string;
  deviceAuthorizationEndpoint: string;
  tokenEndpoint: string;
  scope: string;
  /** The `aud` this API requires of bearer tokens. */
  audience: string;
  /** RFC 8707 resource indicator to send on the device and token requests; present only when configured. */
  resource?: string;
}

/**
 * The device authorization grant, as a CLI sees it: the endpoints come from the provider's
 * discovery document (read by the same cached, retried discovery as logins), the client and
 * scope from the options. The CLI talks to the provider directly; this app only accepts the
 * resulting access tokens as bearer tokens.
 */
@Injectable()
export class DeviceFlowService {
  constructor(
    @Inject(DEVICE_FLOW_SETTINGS) private readonly settings: DeviceFlowSettings | null,
    private readonly provider: OidcProviderClient,
  ) {}

  /** 404 when off or when the provider has no device endpoint; 503 while the provider is down. */
  async config(): Promise<DeviceFlowConfig> {
    const settings = this.settings;
    if (!settings)
      throw new FeatureUnavailableError('AUTH_DEVICE_FLOW_UNAVAILABLE', 'This app does not offer the device authorization grant.');
    const { config } = await this.provider.getReachable();
    const metadata = config.serverMetadata();
    const deviceAuthorizationEndpoint = metadata.device_authorization_endpoint;
    if (!deviceAuthorizationEndpoint || !metadata.token_endpoint) {
      throw new FeatureUnavailableError(
        'AUTH_DEVICE_FLOW_UNAVAILABLE',
        'The identity provider does not offer the device authorization grant (no device_authorization_endpoint).',
      );
    }
    return {
      issuer: metadata.issuer,
      clientId: settings.clientId,
      deviceAuthorizationEndpoint,
      tokenEndpoint: metadata.token_endpoint,
      scope: settings.scope,
      audience: settings.audience,
      ...(settings.resource ? { resource: settings.resource } : {}),
    };
  }
}
