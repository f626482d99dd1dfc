namespace MaintProxy.Admin;

/// <summary>Answers by kind since the proxy started.</summary>
internal sealed record AnswerCounts(long Forwarded, long Maintenance, long Bypassed, long AllowedPath);
