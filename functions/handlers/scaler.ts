/**
 * Scheduled scaler handler (placeholder while the policy lands): INFRA
 * bundles this exact path and expects `handler`.
 */
export async function handler(): Promise<{ decisions: number }> {
  return { decisions: 0 };
}
