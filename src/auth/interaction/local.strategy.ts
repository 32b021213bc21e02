import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import { Strategy } from 'passport-local';
import { SignInService } from '../sign-in/sign-in.service';

export interface SignedIn {
  userId: string;
}

/** passport-local over the login form; the password check itself is the sign-in service's. */
@Injectable()
export class LocalStrategy extends PassportStrategy(Strategy, 'local') {
  constructor(private readonly signIn: SignInService) {
    super({ usernameField: 'identifier', passwordField: 'password', passReqToCallback: true, session: false });
  }

  async validate(req: Request, identifier: string, password: string): Promise<SignedIn | false> {
    const userId = await this.signIn.withPassword({ workspaceId: String(req.params.ws), identifier, password, ip: req.ip ?? '' });
    return userId ? { userId } : false;
  }
}
