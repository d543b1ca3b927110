/**
 * Shard lineage from Kinesis (ListShards, every page): which shards exist,
 * their parents, and which are closed — what the watermark needs to follow a
 * reshard.
 */
import {
  ListShardsCommand,
  type KinesisClient,
  type ListShardsCommandOutput,
} from '@aws-sdk/client-kinesis';
import type { ShardLineage } from '../core/watermark';

export function kinesisLineage(
  kinesis: KinesisClient,
  streamName: string,
): () => Promise<ShardLineage[]> {
  return async () => {
    const shards: ShardLineage[] = [];
    let token: string | undefined;
    do {
      const out: ListShardsCommandOutput = await kinesis.send(
        new ListShardsCommand(token ? { NextToken: token } : { StreamName: streamName }),
      );
      for (const s of out.Shards ?? []) {
        shards.push({
          shardId: s.ShardId as string,
          ...(s.ParentShardId ? { parentShardId: s.ParentShardId } : {}),
          ...(s.AdjacentParentShardId ? { adjacentParentShardId: s.AdjacentParentShardId } : {}),
          closed: s.SequenceNumberRange?.EndingSequenceNumber !== undefined,
        });
      }
      token = out.NextToken;
    } while (token);
    return shards;
  };
}
