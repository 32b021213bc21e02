import type { Request, Response } from 'express';
import { renderMessagePage } from '../interaction/pages';
import { field, names, postedFields, sendPage } from './hosted-form';
import { FormPlace, registerPage } from './self-service.pages';
import { SelfServiceService } from './self-service.service';

/** The hosted registration form of a pool: on its own page, or reached from a login page (`place` links back to it). */
export async function showRegistration(selfService: SelfServiceService, res: Response, poolId: string, place: FormPlace): Promise<void> {
  await sendPage(res, async () => {
    const form = await selfService.registrationForm(poolId);
    return registerPage({ ...place, poolId, poolName: form.poolName, rule: form.passwordPolicy });
  });
}

/** `place.poolId`, when given, is the pool registered in, whatever pool the posted form names. */
export async function submitRegistration(selfService: SelfServiceService, req: Request, ip: string, res: Response, place: FormPlace & { poolId?: string }): Promise<void> {
  const { poolId: fixedPool, ...formPlace } = place;
  await sendPage(
    res,
    async () => {
      const { email, verifies } = await selfService.register({ ...postedFields(req, ['poolId', 'email', 'password', 'givenName', 'familyName']), ...(fixedPool && { poolId: fixedPool }) }, ip);
      // The same words whether or not the address had an account (that one gets an email instead).
      return verifies
        ? renderMessagePage('Check your email', `We sent a message to ${email}. Follow the link in it to continue.`, formPlace.links)
        : renderMessagePage('Registration received', `You can now sign in with ${email} and your password. If this address already had an account, we sent it an email instead.`, formPlace.links);
    },
    async (error) => {
      const poolId = fixedPool ?? field(req, 'poolId');
      const form = await selfService.registrationForm(poolId);
      const rule = form.passwordPolicy;
      return registerPage({ ...formPlace, poolId, poolName: form.poolName, rule, email: field(req, 'email'), values: names(req), error });
    },
  );
}
