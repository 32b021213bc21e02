import { Controller, Get, Param, Post, Req, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { Provider } from 'oidc-provider';
import { Public } from '../../workspaces/principal';
import { ProviderRegistry } from '../oidc/provider.registry';
import { LoginGuard, LoginRequest } from './login.guard';
import { renderLoginPage } from './login-page';
import { PAGE_SECURITY_HEADERS, renderMessagePage } from './pages';

/** Every refusal reads the same, so the page never tells who has an account. */
const REFUSED = 'The email, mobile number or password is incorrect, or this account cannot sign in right now.';

/**
 * The hosted login page of a workspace's issuer (oidc-provider "interactions"). Login is
 * the only prompt users see: applications are first-party, so consent is granted here
 * without a screen.
 */
@ApiExcludeController()
@Public()
@Controller('oidc/:ws/interaction/:uid')
export class InteractionController {
  constructor(private readonly registry: ProviderRegistry) {}

  @Get()
  async show(@Param('ws') ws: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    const provider = await this.provider(ws, res);
    if (!provider) return;
    const details = await this.details(provider, req, res);
    if (!details) return;
    if (details.prompt.name === 'login') {
      return this.renderLogin(res, 200, { ws, uid: details.uid, application: await applicationName(provider, details.params.client_id) });
    }
    // Consent: the grant was prepared by loadExistingGrant; finishing returns to the application.
    await provider.interactionFinished(req, res, { consent: {} }, { mergeWithLastSubmission: true });
  }

  @Post('login')
  @UseGuards(LoginGuard)
  async login(@Param('ws') ws: string, @Req() req: Request & LoginRequest, @Res() res: Response): Promise<void> {
    const provider = await this.provider(ws, res);
    if (!provider) return;
    const details = await this.details(provider, req, res);
    if (!details) return;
    const view = { ws, uid: details.uid, application: await applicationName(provider, details.params.client_id), identifier: String(req.body?.identifier ?? '') };
    if (req.signInError) {
      res.setHeader('Retry-After', String(req.signInError.retryAfterSeconds));
      return this.renderLogin(res, 429, { ...view, error: `Too many failed attempts. Try again in ${req.signInError.retryAfterSeconds} seconds.` });
    }
    if (!req.user) return this.renderLogin(res, 401, { ...view, error: REFUSED });
    await provider.interactionFinished(req, res, { login: { accountId: req.user.userId, amr: ['pwd'] } }, { mergeWithLastSubmission: false });
  }

  @Get('abort')
  async abort(@Param('ws') ws: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    const provider = await this.provider(ws, res);
    if (!provider || !(await this.details(provider, req, res))) return;
    await provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'the user cancelled the sign-in' }, { mergeWithLastSubmission: false });
  }

  private renderLogin(res: Response, status: number, view: { ws: string; uid: string; application: string; identifier?: string; error?: string }): void {
    res
      .status(status)
      .set(PAGE_SECURITY_HEADERS)
      .type('html')
      .send(
        renderLoginPage({
          // Under PUBLIC_URL, which may add a path prefix the request no longer shows.
          action: `${this.registry.issuerOf(view.ws)}/interaction/${encodeURIComponent(view.uid)}/login`,
          applicationName: view.application,
          identifier: view.identifier,
          error: view.error,
        }),
      );
  }

  private async provider(ws: string, res: Response): Promise<Provider | null> {
    const provider = await this.registry.get(ws);
    if (!provider) this.fail(res, 404, 'Unknown issuer', 'No workspace has this sign-in page.');
    return provider;
  }

  /** The pending interaction, or null (after answering) when it expired or the cookie is missing. */
  private async details(provider: Provider, req: Request, res: Response) {
    try {
      return await provider.interactionDetails(req, res);
    } catch {
      this.fail(res, 400, 'Sign-in expired', 'This sign-in page has expired. Go back to the application and start again.');
      return null;
    }
  }

  private fail(res: Response, status: number, title: string, message: string): void {
    res.status(status).set(PAGE_SECURITY_HEADERS).type('html').send(renderMessagePage(title, message));
  }
}

async function applicationName(provider: Provider, clientId: unknown): Promise<string> {
  const client = await provider.Client.find(String(clientId));
  return client?.clientName ?? String(clientId);
}
