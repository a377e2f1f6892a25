/**
 * A child process of the call bench hosting some of its peers: wrtc runs one network thread per
 * process for every peer connection in it, which on a busy machine caps one process's peers before
 * the SFU is anywhere near its limit; the bench spreads its peers over a few such hosts.
 */
import { closeAll } from '../../test/support/media';
import { connectSocket } from '../../test/support/client';
import { BenchCallPeer } from './BenchCallPeer';
import type { PeerHostReply, PeerHostRequest, PeerHostSettings, PeerHostSnapshot } from './peerHostTypes';
import { inboundSnapshot, openPeerConnections, uplinkSnapshot, videoLayersSent } from './trackedPeerConnections';

const settings = JSON.parse(process.argv[2] ?? '{}') as PeerHostSettings;
const peers: BenchCallPeer[] = [];
let order: string[] = [];
const onScreenOf = (self: string) => (uid: string) => order.filter((u) => u !== self).slice(0, settings.onScreen).includes(uid);

async function handle(req: PeerHostRequest): Promise<unknown> {
  switch (req.type) {
    case 'order':
      order = req.order;
      return null;
    case 'join': {
      order = req.order;
      const socket = await connectSocket(settings.url, req.token);
      const peer = new BenchCallPeer({ name: req.name, uid: req.uid, socket, camera: settings.camera, onScreen: onScreenOf(req.uid), pauseHidden: settings.pauseHidden });
      peers.push(peer);
      return peer.join(req.callid);
    }
    case 'snapshot': {
      const cpu = process.cpuUsage();
      const snapshot: PeerHostSnapshot = {
        inbound: [...(await inboundSnapshot())],
        uplink: [...(await uplinkSnapshot())],
        cpuUs: cpu.user + cpu.system,
        layers: await videoLayersSent(),
        peerConnections: openPeerConnections(),
      };
      return snapshot;
    }
    case 'close':
      await closeAll(peers);
      return null;
  }
}

process.on('message', (req: PeerHostRequest) => {
  handle(req).then(
    (result) => process.send?.({ id: req.id, result } satisfies PeerHostReply),
    (err: Error) => process.send?.({ id: req.id, error: err.stack ?? String(err) } satisfies PeerHostReply),
  );
});
