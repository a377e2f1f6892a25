import { Router } from 'express';
import type { AppContext } from '../../node/AppContext';
import { PushSubscriptionBody, PushUnsubscribeBody, type PushKeyAnswer } from '../../protocol/attention';
import { InsecurePushEndpointError } from '../../push/pushErrors';
import { currentUserId, requireUser } from '../requireUser';
import { validate } from '../validate';

export type PushRouteDeps = Pick<AppContext, 'config' | 'users' | 'tokens' | 'vapid' | 'pushSubscriptions'>;

/**
 * Web Push subscriptions (issue 13): the VAPID public key a browser subscribes with (public, like
 * any public key), and each signed-in browser's subscription, kept per user and device.
 */
export function pushRoutes(deps: PushRouteDeps): Router {
  const { config, vapid, pushSubscriptions } = deps;
  const router = Router();
  const auth = requireUser(deps);

  router.get('/push/key', (_req, res) => {
    const answer: PushKeyAnswer = { publicKey: vapid.publicKey };
    res.json(answer);
  });

  router.post('/push/subscriptions', auth, async (req, res) => {
    const body = validate(PushSubscriptionBody, req.body);
    const protocol = new URL(body.endpoint).protocol;
    if (protocol !== 'https:' && !(config.pushAllowHttp && protocol === 'http:')) throw new InsecurePushEndpointError();
    await pushSubscriptions.save(currentUserId(res), { endpoint: body.endpoint, keys: body.keys });
    res.status(201).json({ endpoint: body.endpoint });
  });

  router.delete('/push/subscriptions', auth, async (req, res) => {
    const { endpoint } = validate(PushUnsubscribeBody, req.body);
    await pushSubscriptions.remove(currentUserId(res), endpoint);
    res.status(204).end();
  });

  return router;
}
