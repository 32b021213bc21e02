import { Controller, Get, Ip, Param, Post, Req, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { Provider } from 'oidc-provider';
import { validatePlain } from '../../platform/http/validate-plain';
import { waitInWords } from '../../platform/text/wait-in-words';
import { Public } from '../../workspaces/principal';
import { ProviderRegistry } from '../oidc/provider.registry';
import { AccountEmail } from '../self-service/dto/self-service.dto';
import { field, sendPage } from '../self-service/hosted-form';
import { showRegistration, submitRegistration } from '../self-service/registration-form';
import { forgotPasswordPage, FormPlace } from '../self-service/self-service.pages';
import { SelfServiceService } from '../self-service/self-service.service';
import { LoginGuard, LoginRequest } from './login.guard';
import { loginPageSecurityHeaders, renderLoginPage } from './login-page';
import { PAGE_SECURITY_HEADERS, PageLink, renderMessagePage } from './pages';

/** Every refusal reads the same, so the page never tells who has an account. */
const REFUSED = 'The email, mobile number or password is incorrect, or this account cannot sign in right now.';

/**
 * The hosted login page of a workspace's issuer (oidc-provider "interactions"). Login is
 * the only prompt users see: applications are first-party, so consent is granted here
 * without a screen. Beside it, as on Keycloak's or Auth0's page, "forgot your password"
 * and (where a connected pool allows it) "create an account", each linking back to it.
 */
@ApiExcludeController()
@Public()
@Controller('oidc/:ws/interaction/:uid')
export class InteractionController {
  constructor(
    private readonly registry: ProviderRegistry,
    private readonly selfService: SelfServiceService,
  ) {}

  @Get()
  async show(@Param('ws') ws: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    const provider = await this.provider(ws, res);
    if (!provider) return;
    const details = await this.details(provider, req, res);
    if (!details) return;
    if (details.prompt.name === 'login') {
      // login_hint prefills the identifier, as Keycloak and Auth0 do.
      const hint = typeof details.params.login_hint === 'string' ? details.params.login_hint : undefined;
      return this.renderLogin(res, 200, { ws, uid: details.uid, application: await applicationName(provider, details.params.client_id), redirectUri: details.params.redirect_uri, identifier: hint });
    }
    // Consent: the grant was prepared by loadExistingGrant; finishing returns to the application.
    await provider.interactionFinished(req, res, { consent: {} }, { mergeWithLastSubmission: true });
  }

  @Post('login')
  @UseGuards(LoginGuard)
  async login(@Param('ws') ws: string, @Req() req: Request & LoginRequest, @Res() res: Response): Promise<void> {
    const provider = await this.provider(ws, res);
    if (!provider) return;
    const details = req.interaction ?? (await this.details(provider, req, res));
    if (!details) return;
    const view = { ws, uid: details.uid, application: await applicationName(provider, details.params.client_id), redirectUri: details.params.redirect_uri, identifier: String(req.body?.identifier ?? '') };
    if (req.signInError) {
      res.setHeader('Retry-After', String(req.signInError.retryAfterSeconds));
      return this.renderLogin(res, 429, { ...view, error: `Too many failed attempts. Try again in ${waitInWords(req.signInError.retryAfterSeconds)}.` });
    }
    if (!req.user) return this.renderLogin(res, 401, { ...view, error: REFUSED });
    await provider.interactionFinished(req, res, { login: { accountId: req.user.userId, amr: ['pwd'] } }, { mergeWithLastSubmission: false });
  }

  /** Back, or a reload after the form was posted: the sign-in page again (or why it ended), never a bare error. */
  @Get('login')
  loginAgain(@Param('ws') ws: string, @Param('uid') uid: string, @Res() res: Response): void {
    res.redirect(303, this.url(ws, uid));
  }

  @Get('forgot-password')
  async forgotPasswordForm(@Param('ws') ws: string, @Param('uid') uid: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    if (!(await this.liveSignIn(ws, req, res))) return;
    await sendPage(res, async () => forgotPasswordPage(this.place(ws, uid, 'forgot-password')));
  }

  /** Answered the same whether or not the address has an account; the email goes out in the background. */
  @Post('forgot-password')
  async forgotPassword(@Param('ws') ws: string, @Param('uid') uid: string, @Req() req: Request, @Ip() ip: string, @Res() res: Response): Promise<void> {
    if (!(await this.liveSignIn(ws, req, res))) return;
    const place = this.place(ws, uid, 'forgot-password');
    await sendPage(
      res,
      async () => {
        const { email } = await validatePlain(AccountEmail, req.body);
        await this.selfService.requestSignInPasswordReset(ws, email, ip);
        return renderMessagePage('Check your email', `If ${email} has an account here, we sent it a link to choose a new password.`, place.links);
      },
      async (error) => forgotPasswordPage({ ...place, email: field(req, 'email'), error }),
    );
  }

  @Get('register')
  async registerForm(@Param('ws') ws: string, @Param('uid') uid: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    const poolId = await this.registrationPool(ws, req, res);
    if (poolId) await showRegistration(this.selfService, res, poolId, this.place(ws, uid, 'register'));
  }

  /** Registers in the pool this sign-in offers: the pool id the form carries is not trusted. */
  @Post('register')
  async register(@Param('ws') ws: string, @Param('uid') uid: string, @Req() req: Request, @Ip() ip: string, @Res() res: Response): Promise<void> {
    const poolId = await this.registrationPool(ws, req, res);
    if (poolId) await submitRegistration(this.selfService, req, ip, res, { ...this.place(ws, uid, 'register'), poolId });
  }

  @Get('abort')
  async abort(@Param('ws') ws: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    const provider = await this.provider(ws, res);
    if (!provider || !(await this.details(provider, req, res))) return;
    await provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'the user cancelled the sign-in' }, { mergeWithLastSubmission: false });
  }

  private async renderLogin(res: Response, status: number, view: { ws: string; uid: string; application: string; redirectUri: unknown; identifier?: string; error?: string }): Promise<void> {
    const links: PageLink[] = [{ href: this.url(view.ws, view.uid, 'forgot-password'), text: 'Forgot your password?' }];
    if (await this.selfService.registrationPoolFor(view.ws)) links.push({ href: this.url(view.ws, view.uid, 'register'), text: 'No account? Create one' });
    res
      .status(status)
      .set(loginPageSecurityHeaders(view.redirectUri))
      .type('html')
      .send(renderLoginPage({ action: this.url(view.ws, view.uid, 'login'), applicationName: view.application, identifier: view.identifier, error: view.error, links }));
  }

  /** A page of this interaction, under PUBLIC_URL (which may add a path prefix the request no longer shows). */
  private url(ws: string, uid: string, page?: string): string {
    return `${this.registry.issuerOf(ws)}/interaction/${encodeURIComponent(uid)}${page ? `/${page}` : ''}`;
  }

  /** A form of this interaction, posting to itself, with the way back to the login page. */
  private place(ws: string, uid: string, page: string): FormPlace {
    return { action: this.url(ws, uid, page), links: [{ href: this.url(ws, uid), text: 'Back to sign in' }] };
  }

  /**
   * Whether this sign-in is still going on (answering when it is not). The forms beside the
   * login page ask it on their posts too: a cross-site post carries no interaction cookie
   * (SameSite=Lax), so only the page's own form reaches them.
   */
  private async liveSignIn(ws: string, req: Request, res: Response): Promise<boolean> {
    const provider = await this.provider(ws, res);
    return Boolean(provider && (await this.details(provider, req, res)));
  }

  /** The pool this sign-in offers registration in, or null (after answering) when there is none or the sign-in ended. */
  private async registrationPool(ws: string, req: Request, res: Response): Promise<string | null> {
    if (!(await this.liveSignIn(ws, req, res))) return null;
    const poolId = await this.selfService.registrationPoolFor(ws);
    if (!poolId) this.fail(res, 404, 'Registration closed', 'No one can create an account here. Ask the people who run this application for an invitation.');
    return poolId;
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
      this.fail(res, 400, 'Sign-in expired', 'This sign-in page has expired. Go back to the application you came from and start signing in again.');
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
