import type { RequestHandler } from 'express';
import { ApiError, ApiErrorCode } from '../errors.ts';
import { looksLikeJwt, type OidcVerifier } from './oidc.ts';
import type { TokenService } from './tokens.ts';

/**
 * Bearer authentication: an API token (`glt_…`), or an OIDC JWT when SSO is configured. Sets
 * `res.locals.principal`; anything else is one 401 that does not say why (unknown, expired, revoked).
 */
export const authenticate =
  (tokens: TokenService, oidc: OidcVerifier | null): RequestHandler =>
  (req, res, next) => {
    const header = req.get('authorization') ?? '';
    const m = /^Bearer\s+(\S{1,4096})$/i.exec(header);
    const bearer = m?.[1];
    if (bearer === undefined) {
      next(new ApiError(ApiErrorCode.unauthenticated, 'a bearer token is required (Authorization: Bearer …)'));
      return;
    }
    const verify = oidc !== null && looksLikeJwt(bearer) ? oidc.verify(bearer) : tokens.verify(bearer);
    verify.then(
      (principal) => {
        if (principal === null) {
          next(new ApiError(ApiErrorCode.unauthenticated, 'the bearer token is not valid'));
          return;
        }
        res.locals['principal'] = principal;
        next();
      },
      (error: unknown) => next(error),
    );
  };
