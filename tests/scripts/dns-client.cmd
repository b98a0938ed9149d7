:: Outbound DNS only to our resolver; the rest of outbound UDP is blocked
@echo off
:: --- actions ---
netsh ipsec static add policy "UDP Out" "outbound UDP lock-down"
netsh ipsec static add filteraction Permit "let it through" action=permit
netsh ipsec static add filteraction Block action=block
:: --- lists (tag prefixes as Microsoft's own examples write them) ---
netsh ipsec static add filter filterlist="All UDP out" srca=me dsta=any proto=UDP mir=yes
netsh ipsec static add filter filterl="DNS out" srca=me dsta=DNS proto=UDP dstport=53
netsh ipsec static add rule "Block UDP" "UDP Out" "All UDP out" Block
netsh ipsec static add rule name="DNS" policy="UDP Out" filter="DNS out" filteraction=Permit conntype=all
netsh ipsec static add filteraction name=Secure action=negotiate qmsec="ESP[3DES,SHA1]:3600s ESP[3DES,MD5]:100000k"
netsh ipsec static set policy "UDP Out" assign=yes
