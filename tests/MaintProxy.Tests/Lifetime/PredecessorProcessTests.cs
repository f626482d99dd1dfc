using System.Globalization;
using MaintProxy.Lifetime;

namespace MaintProxy.Tests.Lifetime;

/// <summary>How the proxy tells that a process an overlap restart replaced still runs.</summary>
public sealed class PredecessorProcessTests
{
    [Fact]
    public void IsRunning_SameIdAndStartTime_IsTrue()
    {
        Assert.True(new PredecessorProcess(Environment.ProcessId, OwnStartTime()).IsRunning());
    }

    [Fact]
    public void IsRunning_SameIdOtherStartTime_IsFalse()
    {
        // The id of a process that has exited, given to a new one.
        Assert.False(new PredecessorProcess(Environment.ProcessId, OwnStartTime() + 1).IsRunning());
    }

    [Fact]
    public void IsRunning_NoSuchProcess_IsFalse()
    {
        Assert.False(new PredecessorProcess(int.MaxValue, 0).IsRunning());
    }

    [Theory]
    [InlineData("", 0)]
    [InlineData("4242:123456", 1)]
    [InlineData("4242:123456,4250:123999", 2)]
    public void TryParseList_RestartShForm_IsRead(string text, int count)
    {
        Assert.True(PredecessorProcess.TryParseList(text, out var processes));
        Assert.Equal(count, processes.Count);
    }

    [Theory]
    [InlineData("4242")]
    [InlineData("0:1")]
    [InlineData("-1:1")]
    [InlineData("4242:abc")]
    [InlineData("4242:1:2")]
    public void TryParseList_OtherText_IsRefused(string text)
    {
        Assert.False(PredecessorProcess.TryParseList(text, out _));
    }

    private static ulong OwnStartTime()
    {
        var stat = File.ReadAllText("/proc/self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return ulong.Parse(fields[19], CultureInfo.InvariantCulture);
    }
}
