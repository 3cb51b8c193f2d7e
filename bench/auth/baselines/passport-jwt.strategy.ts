import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import jwksRsa from 'jwks-rsa';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { BASELINE_CONFIG, type BaselineConfig } from './baseline-config.js';

/**
 * The standard NestJS recipe for an OIDC provider's access tokens: passport-jwt with the key
 * from jwks-rsa (its keys cached and rate-limited, as its README recommends).
 */
@Injectable()
export class PassportJwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(@Inject(BASELINE_CONFIG) config: BaselineConfig) {
    super({
      secretOrKeyProvider: jwksRsa.passportJwtSecret({ cache: true, rateLimit: true, jwksRequestsPerMinute: 5, jwksUri: config.jwksUri }),
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      issuer: config.issuer,
      audience: config.audience,
      algorithms: ['RS256'],
    });
  }

  validate(payload: { sub: string; roles?: string[] }): { sub: string; roles: string[] } {
    return { sub: payload.sub, roles: payload.roles ?? [] };
  }
}
