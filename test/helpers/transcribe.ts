import type { TranscriptionJob, TranscriptionJobStatus } from '@aws-sdk/client-transcribe';

/**
 * A GetTranscriptionJob / StartTranscriptionJob response, `{TranscriptionJob: {…}}`, with the
 * fields of the response syntax in the Amazon Transcribe API reference:
 * https://docs.aws.amazon.com/transcribe/latest/APIReference/API_GetTranscriptionJob.html
 * (`Transcript.TranscriptFileUri` once COMPLETED, `FailureReason` when FAILED: pass them in `extra`).
 */
export const transcriptionJob = (
  status: TranscriptionJobStatus,
  extra: Partial<TranscriptionJob> = {},
): { TranscriptionJob: TranscriptionJob } => ({
  TranscriptionJob: {
    TranscriptionJobName: 'my-song-1-mp3-8e05529e0673',
    TranscriptionJobStatus: status,
    LanguageCode: 'en-US',
    MediaFormat: 'mp3',
    Media: { MediaFileUri: 's3://audio/my song (1).mp3' },
    CreationTime: new Date('2026-11-12T00:00:00Z'),
    StartTime: new Date('2026-11-12T00:00:01Z'),
    ...extra,
  },
});
