/**
 * `/invitation?token=…`: the invitee chooses a password (the pool's policy shown beside it). Any
 * unusable link (410, or a token the API refuses outright) has one message; a refused password
 * (400) says why; success says "Password set" and offers `Sign in`.
 */
import { useLocation } from 'preact-iso/router';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, ok } from '../../shared/api';
import { Notice } from '../../shared/layout';
import { useSession } from '../session';
import { Failure, SignInButton, useNoIndex, useTitle } from './common';

type State = { step: 'form'; problem?: string; error?: unknown } | { step: 'sending' } | { step: 'done' } | { step: 'invalid' };

export function Invitation() {
  const { t, api, config } = useSession();
  useNoIndex();
  const { query } = useLocation();
  const [token] = useState(() => query.token ?? '');
  const [state, setState] = useState<State>(token ? { step: 'form' } : { step: 'invalid' });
  const password = useRef<HTMLInputElement>(null);
  const confirm = useRef<HTMLInputElement>(null);
  const message = useRef<HTMLDivElement>(null);
  useTitle(state.step === 'done' ? t.invitation.doneTitle : state.step === 'invalid' ? t.invitation.invalidTitle : t.invitation.title);

  // What happened is read out and the focus moves there, for keyboard and screen-reader users.
  const news = state.step !== 'form' || state.problem !== undefined || state.error !== undefined;
  useEffect(() => {
    if (news) message.current?.focus();
  }, [state]);

  const submit = async (event: Event) => {
    event.preventDefault();
    const chosen = password.current?.value ?? '';
    if (chosen !== (confirm.current?.value ?? '')) {
      setState({ step: 'form', problem: t.invitation.mismatch });
      return;
    }
    setState({ step: 'sending' });
    try {
      await ok(api.POST('/invitations/accept', { body: { token, password: chosen } }));
      setState({ step: 'done' });
    } catch (error) {
      // 410, or a token the API refuses to even look up (400 at `token`, longer than any it issues): the link is unusable.
      if (error instanceof ApiError && (error.status === 410 || (error.status === 400 && error.problem?.errors?.some((e) => e.path === 'token')))) setState({ step: 'invalid' });
      else if (error instanceof ApiError && error.status === 400)
        setState({ step: 'form', problem: error.problem?.errors?.find((e) => e.path === 'password')?.message ?? error.problem?.detail ?? t.invitation.refused });
      else setState({ step: 'form', error });
    }
  };

  if (state.step === 'invalid')
    return (
      <div ref={message} tabIndex={-1}>
        <Notice title={t.invitation.invalidTitle}>
          <p>{t.invitation.invalid}</p>
        </Notice>
      </div>
    );
  if (state.step === 'done')
    return (
      <div ref={message} tabIndex={-1}>
        <Notice title={t.invitation.doneTitle} alert={false}>
          <p>{t.invitation.done}</p>
          <SignInButton returnTo="/" />
        </Notice>
      </div>
    );

  const problem = state.step === 'form' ? state.problem : undefined;
  return (
    <section>
      <h1>{t.invitation.title}</h1>
      <p>{t.invitation.intro}</p>
      <div ref={message} tabIndex={-1}>
        {problem && (
          <Notice title={t.invitation.refused}>
            <p>{problem}</p>
          </Notice>
        )}
        {state.step === 'form' && state.error !== undefined && <Failure error={state.error} />}
      </div>
      <form class="stack" onSubmit={submit} noValidate>
        <label for="password">{t.invitation.password}</label>
        <input id="password" name="password" type="password" autocomplete="new-password" required ref={password} aria-describedby="policy" aria-invalid={problem ? 'true' : undefined} />
        <p id="policy" class="hint">
          {t.invitation.policy(config.passwordPolicy)}
        </p>
        <label for="confirm">{t.invitation.confirm}</label>
        <input id="confirm" name="confirm" type="password" autocomplete="new-password" required ref={confirm} />
        <button type="submit" disabled={state.step === 'sending'}>
          {t.invitation.submit}
        </button>
      </form>
      {/* The wait is read out; the button keeps its name. */}
      {state.step === 'sending' && (
        <p class="loading" role="status">
          {t.invitation.submitting}
        </p>
      )}
    </section>
  );
}
