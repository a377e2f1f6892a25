import type { FileStore } from '../../../storage/FileStore';
import type { AnnouncementDeps } from '../../announcements';
import type { Config } from '../../config';
import type { FileService } from '../../files/FileService';

/** What recordings use of the node besides the calls' own deps: files, messages and ffmpeg. */
export interface RecordingDeps extends AnnouncementDeps {
  config: Pick<Config, 'ffmpegPath' | 'userStorageQuota' | 'dataDir'>;
  uploads: Pick<FileService, 'ingest' | 'infoFor'>;
  files: Pick<FileStore, 'tempPath' | 'remove' | 'storedBytes' | 'linkSession' | 'linkMessage'>;
}
