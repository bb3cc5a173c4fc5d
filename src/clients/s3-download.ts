/** The restore plan's download of a snapshot from a bucket: the AWS CLI, runnable as pasted. */
export function s3DownloadCommand(url: string, dest: string, endpoint?: string): string[] {
  return ['aws', 's3', 'cp', url, dest, ...(endpoint ? ['--endpoint-url', endpoint] : [])];
}
