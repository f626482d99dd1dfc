using MaintProxy.Tests.Infrastructure;
using MaintProxy.Transport;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MaintProxy.Tests.Transport;

public sealed class TransportOptionsTests
{
    [Theory]
    [InlineData(0, 1, 1)]
    [InlineData(0, 2, 2)]
    [InlineData(0, 16, 16)]
    [InlineData(3, 2, 3)]
    [InlineData(1, 16, 1)]
    public void EventLoopThreads_ZeroIsOnePerCore(int configured, int cores, int expected)
    {
        var options = new TransportOptions { EventLoopThreads = configured };

        Assert.Equal(expected, options.EventLoopThreadsFor(cores));
    }

    [Theory]
    [InlineData("false", false)]
    [InlineData("true", true)]
    public void InlineScheduling_ReachesKestrelsSocketTransport(string configured, bool expected)
    {
        using var proxy = new InProcessProxy("http://127.0.0.1:1/", new Dictionary<string, string> { ["Transport:InlineScheduling"] = configured });

        var socketTransport = proxy.Services.GetRequiredService<IOptions<SocketTransportOptions>>().Value;

        Assert.Equal(expected, socketTransport.UnsafePreferInlineScheduling);
    }

    [Fact]
    public void InlineScheduling_IsOffByDefault()
    {
        using var proxy = new InProcessProxy("http://127.0.0.1:1/");

        Assert.False(proxy.Services.GetRequiredService<IOptions<SocketTransportOptions>>().Value.UnsafePreferInlineScheduling);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1")]
    [InlineData("256")]
    public void EventLoopThreads_ZeroToTheMaximum_IsAccepted(string value)
    {
        var options = ValidatedOptions.Of<TransportOptions>(new Dictionary<string, string> { ["Transport:EventLoopThreads"] = value });

        Assert.Equal(value, options.EventLoopThreads.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("257")]
    public void EventLoopThreads_OutOfRange_IsRefusedWithAMessageNamingIt(string value)
    {
        var error = Assert.ThrowsAny<OptionsValidationException>(() => ValidatedOptions.Of<TransportOptions>(new Dictionary<string, string> { ["Transport:EventLoopThreads"] = value }));

        Assert.Contains("Transport:EventLoopThreads", error.Message, StringComparison.Ordinal);
    }
}
